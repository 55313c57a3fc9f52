import type { ReactNode } from 'react';
import { ThemeToggle } from '../common/ThemeToggle.js';

interface LoginFrameProps {
  /** Why the page is shown again (signed out, session ended), announced politely. */
  notice: string | null;
  children: ReactNode;
}

/** The frame of both sign-in pages (token and single sign-on): header, title, notice, then the form. */
export function LoginFrame({ notice, children }: LoginFrameProps) {
  return (
    <div className="login-page">
      <header className="login-header">
        <span className="brand">Podscope</span>
        <span className="header-spacer" />
        <ThemeToggle />
      </header>
      <main id="main" className="login-card">
        <h1 className="page-title">Sign in</h1>
        {notice && (
          <div className="banner banner-info" role="status" data-testid="login-notice">
            {notice}
          </div>
        )}
        {children}
      </main>
    </div>
  );
}
