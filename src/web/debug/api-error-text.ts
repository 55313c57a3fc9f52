// Turns a failed response into the sentence a user sees. Pure, so the same rule serves fetch, XHR
// uploads and streamed downloads.

/** The server's `{error}` sentence if the body has one, else a sentence naming the HTTP status. */
export function apiErrorText(status: number, statusText: string, bodyText: string): string {
  try {
    const body: unknown = bodyText ? JSON.parse(bodyText) : undefined;
    if (typeof body === 'object' && body !== null) {
      const error = (body as { error?: unknown }).error;
      if (typeof error === 'string' && error) return error;
    }
  } catch {
    // A proxy's HTML error page, for instance: fall through to the status.
  }
  if (status === 0) return 'Cannot reach the Podscope server. Check your connection and try again.';
  return `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
}
