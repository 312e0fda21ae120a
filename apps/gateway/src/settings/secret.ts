// The gateway's credentials and the store's decrypted secrets are one class, so `instanceof Secret`
// holds for both (see `virtual-key-target.ts`).
export { Secret } from '@pk/store';
