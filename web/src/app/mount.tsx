import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { SSRData } from '@urql/core';
import type { Session } from '../features/auth/session';
import { App } from './App';

export function mount(root: HTMLElement, session: Session, initialData?: SSRData): void {
  createRoot(root).render(
    <StrictMode>
      <App session={session} initialData={initialData} />
    </StrictMode>,
  );
}
