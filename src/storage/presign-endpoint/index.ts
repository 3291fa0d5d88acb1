export { validatePresignEndpointConfig, type PresignEndpointAuth, type PresignEndpointConfig } from './config.js';
export { OPERATION_METHODS, type PresignOperation, type PresignRequestBody } from './protocol.js';
export { createPresignEndpointTransport, PresignEndpointTransport, type PresignEndpointTransportOptions } from './transport.js';
