//! leadlag
