//! Statistics: descriptive moments, correlation with intervals, least squares, Granger tests and
//! the moving-block bootstrap.
