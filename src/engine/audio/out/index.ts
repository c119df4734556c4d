/**
 * Audio out (issue 3/5 item 6; docs/service-contract.md "Artifacts and audio out"): delivery formats,
 * size fitting and the recipe tags.
 */
export { encodeAudioFile, formatFile } from './encode.js';
export { fitToLimit, type FitFormat, type FitOptions, type FittedFile, type LinkInstead } from './fit.js';
export { FORMATS, OUTPUT_FORMATS, type EncodeOptions, type FormatInfo, type OutputFormat } from './formats.js';
export { recipeTags, STANDARD_TAGS, type Recipe } from './tags.js';
