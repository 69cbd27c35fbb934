export { createRequestHandler, type RequestHandlerOptions } from './requestHandler.js';
