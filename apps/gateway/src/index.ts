// The gateway server arrives with the gateway issues; this entry keeps the package building.
export const GATEWAY_DEFAULT_PORT = 8787;
