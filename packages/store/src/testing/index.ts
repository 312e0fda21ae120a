export {
  createTemporaryDatabase,
  DEFAULT_TEST_POSTGRES_URL,
  postgresAvailable,
  requirePostgres,
  type TemporaryDatabase,
} from './postgres.js';
export { seedRequestLogs } from './seed-request-logs.js';
export { createTcpProxy, type TcpProxy } from './tcp-proxy.js';
