import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { api, setSession } from './api.js';
import { ErrorNote } from './components/error-note.js';
import { Link } from './components/link.js';
import { useLocation } from './router.js';
import type { SessionInfo } from './session.js';
import { BreakersView } from './views/breakers.js';
import { ConfigsView } from './views/configs.js';
import { GatewayKeysView } from './views/gateway-keys.js';
import { GuardrailsView } from './views/guardrails.js';
import { IntegrationsView } from './views/integrations.js';
import { LogsView } from './views/logs.js';
import { PromptsView } from './views/prompts.js';
import { RequestView } from './views/request.js';
import { SignIn } from './views/sign-in.js';
import { TraceView } from './views/trace.js';
import { VirtualKeysView } from './views/virtual-keys.js';

// The chart library comes with the analytics view only: the first load stays small.
const AnalyticsView = lazy(() =>
  import('./views/analytics.js').then((module) => ({ default: module.AnalyticsView })),
);

const NAV = [
  ['/logs', 'Logs'],
  ['/analytics', 'Analytics'],
  ['/virtual-keys', 'Virtual keys'],
  ['/integrations', 'Integrations'],
  ['/configs', 'Configs'],
  ['/breakers', 'Breakers'],
  ['/guardrails', 'Guardrails'],
  ['/prompts', 'Prompts'],
  ['/gateway-keys', 'Gateway keys'],
] as const;

/** The names of the virtual keys and configs a user key may use (it cannot manage them). */
function UserCatalog() {
  const [catalog, setCatalog] = useState<{ virtual_keys: string[]; configs: string[] } | null>(null);
  useEffect(() => {
    api<{ virtual_keys: string[]; configs: string[] }>('/catalog')
      .then(setCatalog)
      .catch(() => undefined);
  }, []);
  if (!catalog) return null;
  return (
    <section class="card" aria-label="What this key may use">
      <h2>What this key may use</h2>
      <p>Virtual keys: {catalog.virtual_keys.length === 0 ? 'none' : catalog.virtual_keys.join(', ')}</p>
      <p>Configs: {catalog.configs.length === 0 ? 'none' : catalog.configs.join(', ')}</p>
      <p class="muted">Managing them needs an admin key.</p>
    </section>
  );
}

function Route(props: { path: string; search: URLSearchParams; visit: number; session: SessionInfo }) {
  const { path, search, visit, session } = props;
  const isUser = session.key?.role === 'user';
  const segments = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  const [first, second] = segments;
  if (first === 'logs' && second) return <RequestView id={second} />;
  if (first === 'traces' && second) return <TraceView traceId={second} />;
  if (first === 'analytics') {
    return (
      <Suspense fallback={<p>Loading…</p>}>
        {/* Its choices are its own state: a new visit (its link followed again, back) reads the address afresh. */}
        <AnalyticsView key={visit} search={search} />
      </Suspense>
    );
  }
  if (
    first === 'virtual-keys' ||
    first === 'integrations' ||
    first === 'configs' ||
    first === 'breakers' ||
    first === 'guardrails' ||
    first === 'prompts' ||
    first === 'gateway-keys'
  ) {
    if (isUser) return <UserCatalog />;
    if (first === 'virtual-keys') return <VirtualKeysView />;
    if (first === 'integrations') return <IntegrationsView />;
    // Keyed by the visit: a link to a config (or back) opens the one its address names.
    if (first === 'configs') return <ConfigsView key={visit} slug={second} />;
    if (first === 'breakers') return <BreakersView />;
    if (first === 'guardrails') return <GuardrailsView />;
    if (first === 'prompts') return <PromptsView />;
    return <GatewayKeysView />;
  }
  return <LogsView search={search} />;
}

/** The console: who is signed in, the navigation, and the view the URL names. */
export function App() {
  const location = useLocation();
  const [session, setSessionInfo] = useState<SessionInfo | null>(null);
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const adopt = (info: SessionInfo) => {
    setSession(info.csrf_token, () => {
      setEnded(true);
      setSessionInfo({ signed_in: false, keyless: false, key: null, csrf_token: null });
    });
    setSessionInfo(info);
  };
  useEffect(() => {
    api<SessionInfo>('/session').then(adopt).catch(setError);
  }, []);
  if (error) return <ErrorNote error={error} />;
  if (!session) return <p aria-live="polite">Loading…</p>;
  if (!session.signed_in) {
    return (
      <SignIn
        ended={ended}
        onSignedIn={(info) => {
          setEnded(false);
          adopt(info);
        }}
      />
    );
  }
  const signOut = async () => {
    await api('/session', { method: 'DELETE' }).catch(() => undefined);
    setSession(null);
    setSessionInfo({ signed_in: false, keyless: false, key: null, csrf_token: null });
  };
  const active = `/${location.path.split('/')[1] ?? ''}`;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">pk console</span>
        <nav aria-label="Views">
          {NAV.map(([to, label]) => (
            <Link to={to} key={to} current={active === to || (to === '/logs' && active === '/')}>
              {label}
            </Link>
          ))}
        </nav>
        <span class="who">
          {session.keyless ? (
            'no keys (loopback)'
          ) : (
            <>
              {session.key?.name} ({session.key?.role}, {session.key?.tenant}){' '}
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          )}
        </span>
      </header>
      <main id="main">
        {session.keyless ? (
          <p class="notice">
            This gateway has no keys yet and answers loopback callers without one. To manage virtual keys,
            configs and gateway keys, create an admin key with <code>pnpm pk init</code>, then sign in with
            it.
          </p>
        ) : null}
        <Route path={location.path} search={location.search} visit={location.visit} session={session} />
      </main>
    </>
  );
}
