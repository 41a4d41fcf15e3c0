//! asymmetry
