package media

// PipelineVersion numbers the rendition set and how it is made. Bump it
// whenever a change to the pipeline should regenerate existing renditions;
// assets record the version their renditions were made with.
//
//  1. The first pipeline.
//  2. JPEGs decoded at reduced scale; the square cut around a
//     content-aware focal point by default; Result gains the blurhash,
//     dominant colour, default focal point and metadata.
//  3. A WebP twin of every rendition but the social card, and the social
//     card (1200×630 JPEG around the focal point).
const PipelineVersion = 3
