export * from './page-size.js';
export * from './cursor.js';
export * from './connection.js';
