import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { PageErrorBoundary } from '../src/app/PageErrorBoundary';

/** What the boundary renders once `error` was thrown by the page inside it. */
function afterError(error: Error): string {
  const boundary = new PageErrorBoundary({ children: createElement('p', null, 'the page') });
  boundary.state = PageErrorBoundary.getDerivedStateFromError(error);
  return renderToStaticMarkup(boundary.render() as ReactElement);
}

describe('the routed page’s error boundary', () => {
  it('renders the page while nothing failed', () => {
    const boundary = new PageErrorBoundary({ children: createElement('p', null, 'the page') });
    expect(renderToStaticMarkup(boundary.render() as ReactElement)).toBe('<p>the page</p>');
  });

  it('a page chunk gone after an upgrade: says so and offers a reload instead of a blank app', () => {
    const html = afterError(new TypeError('Failed to fetch dynamically imported module: https://ytm.test/assets/TracksPage-1a2b3c.js'));
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/has been updated/);
    expect(html).toMatch(/<button[^>]*>Reload<\/button>/);
  });

  it('any other error of a page: a message and a reload', () => {
    const html = afterError(new Error('boom'));
    expect(html).toMatch(/could not be shown/);
    expect(html).toMatch(/<button[^>]*>Reload<\/button>/);
  });

  it('Reload reloads the app', () => {
    const reload = vi.fn();
    vi.stubGlobal('location', { reload });
    const boundary = new PageErrorBoundary({ children: null });
    boundary.state = PageErrorBoundary.getDerivedStateFromError(new Error('boom'));
    const [button] = buttons(boundary.render());
    button!.props.onClick();
    expect(reload).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });
});

/** The buttons in a rendered element tree. */
function buttons(node: unknown): Array<ReactElement<{ onClick: () => void }>> {
  if (!node || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap(buttons);
  const el = node as ReactElement<{ children?: unknown; onClick: () => void }>;
  return el.type === 'button' ? [el] : buttons(el.props.children);
}
