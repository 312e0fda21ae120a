export { type GatewayProcess, startGateway } from './gateway-process.js';
export {
  type MockAnswer,
  type MockProvider,
  type ReceivedRequest,
  startMockProvider,
} from './mock-provider.js';
