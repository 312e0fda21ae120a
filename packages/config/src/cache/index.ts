// The cache port and the in-memory store (shared by the gateway and the SDK's in-process mode).
export {};
