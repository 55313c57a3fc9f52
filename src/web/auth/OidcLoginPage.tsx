import { useEffect, useRef } from 'react';
import { LoginFrame } from './LoginFrame.js';
import { useDocumentTitle } from '../common/use-document-title.js';

interface OidcLoginPageProps {
  /** The provider's name, as the server says it ("Sign in with …"). */
  provider: string;
  /** Why the page is shown again (signed out, session ended), announced politely. */
  notice: string | null;
}

/**
 * Single sign-on: one link to the server's /auth/login, which sends the browser to the provider and,
 * once signed in there, back to the page that was open (returnTo: a path of this server only).
 */
export function OidcLoginPage({ provider, notice }: OidcLoginPageProps) {
  useDocumentTitle('Sign in');
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => link.current?.focus(), []);
  const here = `${window.location.pathname}${window.location.search}${window.location.hash}`;
  const href = `/auth/login?returnTo=${encodeURIComponent(here)}`;
  return (
    <LoginFrame notice={notice}>
      <p>
        Sign in with your {provider} account. Every Kubernetes call you make through Podscope is then made as
        you: you see and do exactly what your Kubernetes RBAC allows, and the audit names you.
      </p>
      <a ref={link} className="btn btn-primary" href={href} data-testid="login-sso">
        Sign in with {provider}
      </a>
    </LoginFrame>
  );
}
