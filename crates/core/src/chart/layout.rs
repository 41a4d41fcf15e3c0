//! The pixel box of a chart: its size, its margins and the plot area inside them.

/// A rectangle in pixels, from its top-left corner.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (never negative).
    pub width: f64,
    /// Height (never negative).
    pub height: f64,
}

impl Rect {
    /// A rectangle; a negative or non-finite width or height becomes zero.
    pub fn new(x: f64, y: f64, width: f64, height: f64) -> Rect {
        let size = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
        Rect { x, y, width: size(width), height: size(height) }
    }

    /// The rectangle spanning two x positions and two y positions, in any order.
    pub fn spanning(x0: f64, x1: f64, y0: f64, y1: f64) -> Rect {
        Rect::new(x0.min(x1), y0.min(y1), (x1 - x0).abs(), (y1 - y0).abs())
    }

    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }
}

/// A chart's size and margins (room for the axes' labels and the direct labels at the right).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Total width in pixels (the SVG `viewBox` width).
    pub width: f64,
    /// Total height in pixels.
    pub height: f64,
    /// Room for the y axis labels.
    pub left: f64,
    /// Room at the right (the direct labels at the lines' ends).
    pub right: f64,
    /// Room above the plot (the unit of the y axis).
    pub top: f64,
    /// Room for the x axis labels.
    pub bottom: f64,
}

impl Default for Frame {
    /// 720 × 320 with margins for a value axis at the left and a date axis below.
    fn default() -> Frame {
        Frame { width: 720.0, height: 320.0, left: 64.0, right: 16.0, top: 28.0, bottom: 36.0 }
    }
}

impl Frame {
    /// The plot area inside the margins (empty, not negative, when the margins fill the frame).
    ///
    /// ```
    /// use tideline_core::chart::Frame;
    /// let plot = Frame::default().plot();
    /// assert_eq!((plot.x, plot.y, plot.width, plot.height), (64.0, 28.0, 640.0, 256.0));
    /// ```
    pub fn plot(&self) -> Rect {
        Rect::new(
            self.left,
            self.top,
            self.width - self.left - self.right,
            self.height - self.top - self.bottom,
        )
    }
}

/// How much room labels need, for choosing ticks that do not overlap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelRoom {
    /// The smallest distance between date ticks (the widest date label, `Jul 2026`, plus padding).
    pub x_label_px: f64,
    /// The smallest distance between value ticks (a label's height plus padding).
    pub y_gap_px: f64,
    /// The height of a direct label at a line's end (labels are nudged at least this far apart).
    pub end_label_px: f64,
}

impl Default for LabelRoom {
    /// Room for 12 px labels: 64 px between date ticks, 28 px between value ticks, 14 px between
    /// end labels.
    fn default() -> LabelRoom {
        LabelRoom { x_label_px: 64.0, y_gap_px: 28.0, end_label_px: 14.0 }
    }
}
