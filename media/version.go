package media

// PipelineVersion numbers the rendition set and how it is made. Bump it
// whenever a change to the pipeline should regenerate existing renditions;
// assets record the version their renditions were made with.
const PipelineVersion = 1
