// The config model: full schema, normalisation, cross-field checks, resolveConfig. Owned by the config-model work.
export {};
