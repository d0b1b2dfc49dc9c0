//! Line and scatter charts with one style for the whole book, drawn by plotters.
//!
//! The same [`Chart`] value is written to an SVG file by the CLI and shown inline in a
//! notebook by [`Chart::evcxr`], so the figures in the book and in the notebooks are drawn
//! by the same code.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::error::Result;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A line through the points, in order.
    Line,
    /// A small dot per point.
    Points,
    /// A thin grey line without a legend entry: contour lines, reference curves.
    Guide,
}

/// One named set of points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend text.
    pub name: String,
    /// The (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// Line or dots.
    pub style: Style,
}

impl Series {
    /// A line through `points`.
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            style: Style::Line,
        }
    }

    /// A line through `ys` at x = 0, 1, 2, … (a loss curve by step).
    pub fn curve(name: impl Into<String>, ys: &[f64]) -> Self {
        Series::line(
            name,
            ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect(),
        )
    }

    /// A thin grey guide line through `points`, left out of the legend.
    pub fn guide(points: Vec<(f64, f64)>) -> Self {
        Series {
            name: String::new(),
            points,
            style: Style::Guide,
        }
    }

    /// Dots at `points`.
    pub fn points(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            style: Style::Points,
        }
    }
}

/// A chart: title, axis labels, and any number of series.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Drawn above the plot.
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// Draw the y axis on a log scale (for losses that span decades).
    pub log_y: bool,
    /// The data.
    pub series: Vec<Series>,
}

/// The book's palette: colour-blind-safe (Okabe–Ito).
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// The size of every figure, in pixels.
pub const SIZE: (u32, u32) = (720, 420);

impl Chart {
    /// An empty chart with a title and axis labels.
    ///
    /// ```
    /// use aigc::plot::{Chart, Series};
    /// let mut chart = Chart::new("y = x²", "x", "y");
    /// chart.series.push(Series::line("x²", (0..10).map(|i| (i as f64, (i * i) as f64)).collect()));
    /// assert!(chart.to_svg().unwrap().starts_with("<svg"));
    /// ```
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_y: false,
            series: Vec::new(),
        }
    }

    /// The same chart with a logarithmic y axis.
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// Adds a series.
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Draws the chart on any plotters drawing area.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let finite = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0))
        };
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in finite() {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 1.0, 2.0); // nothing to draw: an empty frame
        }
        if x1 - x0 < 1e-12 {
            x1 = x0 + 1.0;
        }
        if self.log_y {
            let (lo, hi) = (y0 / 1.5, y1 * 1.5);
            self.draw_in(root, x0..x1, (lo..hi).log_scale())
        } else {
            let pad = ((y1 - y0) * 0.05).max(1e-9);
            self.draw_in(root, x0..x1, (y0 - pad)..(y1 + pad))
        }
    }

    fn draw_in<DB, Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        xs: std::ops::Range<f64>,
        ys: Y,
    ) -> Result<(), String>
    where
        DB: DrawingBackend,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64> + Ranged<ValueType = f64>,
    {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(xs, ys)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| err(&e))?;
        let mut i = 0; // guides take no colour of the palette
        for s in &self.series {
            let color = PALETTE[i % PALETTE.len()];
            i += (s.style != Style::Guide) as usize;
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0))
                .collect();
            let anno = match s.style {
                Style::Guide => {
                    let grey = RGBColor(170, 170, 170).stroke_width(1);
                    chart
                        .draw_series(LineSeries::new(pts, grey))
                        .map_err(|e| err(&e))?;
                    continue;
                }
                Style::Line => chart
                    .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                    .map_err(|e| err(&e))?,
                Style::Points => chart
                    .draw_series(
                        pts.into_iter()
                            .map(|p| Circle::new(p, 2, color.mix(0.6).filled())),
                    )
                    .map_err(|e| err(&e))?,
            };
            let style = s.style;
            anno.label(s.name.clone())
                .legend(move |(x, y)| match style {
                    Style::Line => {
                        PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                            .into_dyn()
                    }
                    _ => Circle::new((x + 8, y), 3, color.filled()).into_dyn(),
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))
    }

    /// The chart as SVG text.
    pub fn to_svg(&self) -> Result<String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            self.draw(&root).map_err(crate::AigcError::Shape)?;
        }
        Ok(svg)
    }

    /// The chart as an inline figure: the last expression of a notebook cell shows it.
    pub fn evcxr(&self) -> plotters::evcxr::SVGWrapper {
        plotters::evcxr::evcxr_figure(SIZE, |root| self.draw(&root).map_err(|e| e.into()))
    }
}
