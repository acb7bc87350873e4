//! The tray icon with the unread count drawn into it: Linux trays show no badges, so the
//! number is painted onto the icon (a red disc with white digits at the top right).

/// The tray icon without a count, 64×64 RGBA PNG.
pub const TRAY_PNG: &[u8] = include_bytes!("../icons/tray.png");

/// 3×5 pixel digits, one row per `u8` (three low bits, left to right).
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

/// The tray icon without a count, as RGBA pixels, its width and its height.
pub fn tray_rgba() -> Result<(Vec<u8>, u32, u32), png::DecodingError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(TRAY_PNG));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or_default()];
    let info = reader.next_frame(&mut buf)?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::GrayscaleAlpha => buf
            .chunks(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        // EXPAND and ALPHA leave no other kind.
        _ => return Err(png::DecodingError::LimitsExceeded),
    };
    Ok((rgba, info.width, info.height))
}

const RED: [u8; 4] = [0xd9, 0x2d, 0x20, 0xff];
const WHITE: [u8; 4] = [0xff, 0xff, 0xff, 0xff];

/// What the badge says: nothing for 0, the number up to 99, then "99".
pub fn label(unread: u64) -> Option<String> {
    match unread {
        0 => None,
        n => Some(n.min(99).to_string()),
    }
}

/// Paints `text` (digits) as a badge onto `rgba` (`width`×`height`, 4 bytes a pixel).
pub fn paint(rgba: &mut [u8], width: u32, height: u32, text: &str) {
    let (w, h) = (width as i64, height as i64);
    let radius = w.min(h) * 7 / 32;
    let (cx, cy) = (w - radius - 1, radius + 1);
    let mut put = |x: i64, y: i64, color: [u8; 4]| {
        if (0..w).contains(&x) && (0..h).contains(&y) {
            let i = ((y * w + x) * 4) as usize;
            if let Some(px) = rgba.get_mut(i..i + 4) {
                px.copy_from_slice(&color);
            }
        }
    };
    for y in cy - radius..=cy + radius {
        for x in cx - radius..=cx + radius {
            let (dx, dy) = (x - cx, y - cy);
            if dx * dx + dy * dy <= radius * radius {
                put(x, y, RED);
            }
        }
    }
    let digits: Vec<usize> = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| usize::from(b - b'0'))
        .collect();
    if digits.is_empty() {
        return;
    }
    // Each pixel of the 3×5 font is a `scale`-sized square; digits are one pixel apart.
    let scale = (radius * 2 / 8).max(1);
    let glyphs = digits.len() as i64;
    let text_w = (glyphs * 3 + (glyphs - 1)) * scale;
    let (left, top) = (cx - text_w / 2, cy - 5 * scale / 2);
    for (n, &digit) in digits.iter().enumerate() {
        let x0 = left + n as i64 * 4 * scale;
        for (row, bits) in DIGITS[digit].iter().enumerate() {
            for col in 0..3 {
                if bits & (0b100 >> col) != 0 {
                    for sy in 0..scale {
                        for sx in 0..scale {
                            put(x0 + col * scale + sx, top + row as i64 * scale + sy, WHITE);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(rgba: &[u8], width: u32, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * width + x) * 4) as usize;
        [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
    }

    #[test]
    fn labels_cap_at_99_and_hide_zero() {
        assert_eq!(label(0), None);
        assert_eq!(label(7).as_deref(), Some("7"));
        assert_eq!(label(1234).as_deref(), Some("99"));
    }

    #[test]
    fn a_badge_is_a_red_disc_with_white_digits_in_the_top_right() {
        let (w, h) = (64, 64);
        let mut rgba = vec![0u8; (w * h * 4) as usize];
        paint(&mut rgba, w, h, "8");
        // Bottom left stays untouched; the disc's edge is red; the digit's centre bar is white.
        assert_eq!(pixel(&rgba, w, 2, 60), [0, 0, 0, 0]);
        assert_eq!(pixel(&rgba, w, 36, 15), RED, "left edge of the disc");
        let white = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| pixel(&rgba, w, x, y) == WHITE)
            .count();
        // "8" lights 13 of 15 font pixels, each a 3×3 square at this size.
        assert_eq!(white, 13 * 9);
        let mut two = vec![0u8; (w * h * 4) as usize];
        paint(&mut two, w, h, "88");
        let white_two = two.chunks(4).filter(|px| *px == WHITE).count();
        assert_eq!(white_two, 2 * 13 * 9);
    }

    #[test]
    fn the_tray_icon_decodes() {
        let (rgba, width, height) = tray_rgba().unwrap_or_else(|e| panic!("{e}"));
        assert!(width >= 22 && width == height);
        assert_eq!(rgba.len(), (width * height * 4) as usize);
    }
}
