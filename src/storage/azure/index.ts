export { AZURE_API_VERSION, AZURE_LIMITS, AzureBlobTransport, type AzureBlobTransportOptions } from './azure-transport.js';
export { azureCorsRule, type AzureCorsRule } from './cors.js';
export { parseContainerSasUrl, redactSas, type ContainerSas } from './sas.js';
