interface ErrorBannerProps {
  message: string;
  onRetry?: () => void;
}

/** A server or network problem, as one sentence the user can act on. */
export function ErrorBanner({ message, onRetry }: ErrorBannerProps) {
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
