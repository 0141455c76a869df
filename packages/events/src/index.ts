export * from './envelope.js';
export * from './catalog.js';
export * from './kafka.js';
export * from './outbox.js';
export * from './outbox-relay.js';
export * from './consumer.js';
export * from './document-lock.js';
