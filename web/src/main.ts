import { Session } from './features/auth/session';
import { prefetchFirstScreen } from './features/library/albums-query';
import './styles/app.css';

// The session is restored (POST /auth/refresh with the cookie), and then the first screen's query
// sent, while the app's code still loads and starts: the first paint waits on the slower of the
// two, not on each in a row.
const session = new Session();
const app = import('./app/mount');
const seed = session.restore().then(() => {
  const token = session.peek();
  return token && location.pathname === '/' && location.search === '' ? prefetchFirstScreen(token) : undefined;
});
const [{ mount }, initialData] = await Promise.all([app, seed]);
mount(document.getElementById('root')!, session, initialData);
