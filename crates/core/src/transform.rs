//! Indicator transforms.
