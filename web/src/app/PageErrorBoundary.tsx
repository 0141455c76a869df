import { Component, type ErrorInfo, type ReactNode } from 'react';

/** A page's code that could not be loaded: after a server upgrade the old chunk names are gone. */
function isChunkError(error: Error): boolean {
  return /dynamically imported module|Importing a module script failed|error loading dynamically imported module/i.test(error.message);
}

/**
 * Around the routed page, not the player: a page that fails to render, or whose code cannot be
 * loaded any more, shows what happened and a reload instead of blanking the whole app, and the
 * music plays on. The Shell keys it by path, so another page is rendered afresh.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('page failed', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const updated = isChunkError(error);
    return (
      <section className="empty-state" role="alert">
        <h2>{updated ? 'YTM has been updated' : 'This page could not be shown'}</h2>
        <p>{updated ? 'Reload to get the new version of this page.' : 'Something went wrong on this page. Reloading the app usually helps.'}</p>
        <button className="btn primary" onClick={() => location.reload()}>
          Reload
        </button>
      </section>
    );
  }
}
