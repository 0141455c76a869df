import { Session } from './features/auth/session';
import './styles/app.css';

// The session is restored (POST /auth/refresh with the cookie) while the app's code still loads:
// the first screen waits on the slower of the two, not on both in a row.
const session = new Session();
void session.restore();
const { mount } = await import('./app/mount');
mount(document.getElementById('root')!, session);
