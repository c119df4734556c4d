/**
 * Audio in (issue 3/5 item 5; docs/service-contract.md "Artifacts and audio out"): uploads sniffed,
 * checked and decoded, with typed errors on field `upload`.
 */
export { decodeUpload, LENGTH_TOLERANCE_S, type DecodeUploadOptions, type DecodedUpload } from './decode-upload.js';
export { sniffUpload, type Sniffed, type UploadFormat } from './sniff.js';
export { readAudioTags } from './tags.js';
