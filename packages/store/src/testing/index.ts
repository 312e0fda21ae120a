export {
  createTemporaryDatabase,
  DEFAULT_TEST_POSTGRES_URL,
  postgresAvailable,
  requirePostgres,
  type TemporaryDatabase,
} from './postgres.js';
export { createTcpProxy, type TcpProxy } from './tcp-proxy.js';
