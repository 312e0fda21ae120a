import { PORTKEY_HEADER_PREFIX } from './header-names.js';

/**
 * The header the official SDK sends an option as (wire contract §3 step 5): the first `ID` becomes
 * `Id`, then each `A`–`Z` becomes `-` and its lower case, after the `x-portkey-` prefix. So `traceID`
 * and `traceId` give `x-portkey-trace-id`, and `awsS3Bucket` gives `x-portkey-aws-s3-bucket`.
 */
export function headerNameOfOption(option: string): string {
  const name = option.replace('ID', 'Id');
  let kebab = '';
  for (const character of name) {
    kebab += character >= 'A' && character <= 'Z' ? `-${character.toLowerCase()}` : character;
  }
  return PORTKEY_HEADER_PREFIX + kebab;
}
