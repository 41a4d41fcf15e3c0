//! Point-in-time alignment.
