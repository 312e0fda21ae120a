/** The longest header value accepted, in characters (= bytes: header values are Latin-1). 32 KiB. */
export const MAX_HEADER_VALUE_LENGTH = 32 * 1024;

/** The longest `x-portkey-metadata` header value, in characters (= bytes): 2 KiB. */
export const MAX_METADATA_LENGTH = 2 * 1024;

/** The most top-level keys `x-portkey-metadata` may have. */
export const MAX_METADATA_KEYS = 64;
