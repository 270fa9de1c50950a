package pixq.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.heif.HeifMetadataReader;
import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.lang.GeoLocation;
import com.drew.lang.Rational;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pixq.recipe.Json;

/**
 * The source's EXIF that pixq uses: the orientation (for auto-orient) and the essentials the meta output
 * reports. Unreadable metadata counts as none: a broken EXIF block should not fail an image whose pixels are fine.
 */
record SourceMetadata(int orientation, Map<String, Object> exif, Exif.Kept keepable) {
    static final SourceMetadata NONE = new SourceMetadata(1, Map.of(), new Exif.Kept(null, null, null, null));
    private static final ObjectWriter JSON = Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

    static SourceMetadata read(byte[] bytes, ImageHeader header) {
        Metadata md;
        try {
            md = switch (header.format()) {
                case JPEG -> JpegMetadataReader.readMetadata(new ByteArrayInputStream(bytes), List.of(new ExifReader()));
                case HEIF, AVIF -> HeifMetadataReader.readMetadata(new ByteArrayInputStream(bytes)); // the generic reader takes AVIF for a movie
                default -> ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
            };
        } catch (Exception | StackOverflowError e) {
            return NONE;
        }
        Map<String, Object> exif = new LinkedHashMap<>();
        int orientation = 1;
        ExifIFD0Directory ifd0 = md.getFirstDirectoryOfType(ExifIFD0Directory.class);
        ExifSubIFDDirectory sub = md.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
        GpsDirectory gps = md.getFirstDirectoryOfType(GpsDirectory.class);
        Exif.Kept keepable = new Exif.Kept(
                ifd0 == null ? null : ifd0.getString(ExifIFD0Directory.TAG_ARTIST),
                ifd0 == null ? null : ifd0.getString(ExifIFD0Directory.TAG_COPYRIGHT),
                sub == null ? null : sub.getString(ExifSubIFDDirectory.TAG_DATETIME_ORIGINAL),
                gps == null ? null : rawGps(gps));
        if (ifd0 != null) {
            put(exif, "make", ifd0.getString(ExifIFD0Directory.TAG_MAKE));
            put(exif, "model", ifd0.getString(ExifIFD0Directory.TAG_MODEL));
            Integer o = ifd0.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
            orientation = o != null && o >= 1 && o <= 8 ? o : 1;
        }
        if ((header.format() == ImageHeader.Format.HEIF || header.format() == ImageHeader.Format.AVIF)
                && HeifBoxes.read(bytes).transformed()) {
            orientation = 1; // libheif applied irot/imir; an iPhone's EXIF orientation says the same again
        }
        if (sub != null) {
            String taken = sub.getString(ExifSubIFDDirectory.TAG_DATETIME_ORIGINAL);
            if (taken != null && taken.matches("\\d{4}:\\d\\d:\\d\\d \\d\\d:\\d\\d:\\d\\d.*")) {
                taken = taken.substring(0, 10).replace(':', '-') + "T" + taken.substring(11, 19);
            }
            put(exif, "dateTaken", taken);
            Rational exposure = sub.getRational(ExifSubIFDDirectory.TAG_EXPOSURE_TIME);
            put(exif, "exposureTime", exposure == null ? null : exposure.toSimpleString(true));
            put(exif, "fNumber", number(sub.getRational(ExifSubIFDDirectory.TAG_FNUMBER)));
            put(exif, "iso", sub.getInteger(ExifSubIFDDirectory.TAG_ISO_EQUIVALENT));
            put(exif, "focalLength", number(sub.getRational(ExifSubIFDDirectory.TAG_FOCAL_LENGTH)));
        }
        GeoLocation where = gps == null ? null : gps.getGeoLocation();
        if (where != null && !where.isZero()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("latitude", where.getLatitude());
            g.put("longitude", where.getLongitude());
            Rational alt = gps.getRational(GpsDirectory.TAG_ALTITUDE);
            if (alt != null) {
                Integer ref = gps.getInteger(GpsDirectory.TAG_ALTITUDE_REF);
                g.put("altitude", (ref != null && ref == 1 ? -1 : 1) * alt.doubleValue());
            }
            exif.put("gps", g);
        }
        return new SourceMetadata(orientation, exif, keepable);
    }

    /** The position as stored (refs and rationals), to be written back unchanged; null without a position. */
    private static Exif.Gps rawGps(GpsDirectory g) {
        long[] lat = pairs(g.getRationalArray(GpsDirectory.TAG_LATITUDE));
        long[] lon = pairs(g.getRationalArray(GpsDirectory.TAG_LONGITUDE));
        String latRef = g.getString(GpsDirectory.TAG_LATITUDE_REF);
        String lonRef = g.getString(GpsDirectory.TAG_LONGITUDE_REF);
        if (lat == null || lon == null || lat.length != 6 || lon.length != 6 || latRef == null || lonRef == null) {
            return null;
        }
        Rational alt = g.getRational(GpsDirectory.TAG_ALTITUDE);
        return new Exif.Gps(latRef, lat, lonRef, lon, g.getInteger(GpsDirectory.TAG_ALTITUDE_REF),
                alt == null ? null : new long[] {alt.getNumerator(), alt.getDenominator()});
    }

    private static long[] pairs(Rational[] rs) {
        if (rs == null) {
            return null;
        }
        long[] out = new long[rs.length * 2];
        for (int i = 0; i < rs.length; i++) {
            out[2 * i] = rs[i].getNumerator();
            out[2 * i + 1] = rs[i].getDenominator();
        }
        return out;
    }

    /** The meta output: format, stored size, orientation, byte count and the essential EXIF, as JSON. */
    byte[] toJson(ImageHeader header, long bytes) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", header.format().name().toLowerCase());
        doc.put("width", header.width());
        doc.put("height", header.height());
        boolean turned = Geometry.transposes(orientation);
        doc.put("orientation", orientation);
        doc.put("displayWidth", turned ? header.height() : header.width());
        doc.put("displayHeight", turned ? header.width() : header.height());
        doc.put("bytes", bytes);
        doc.put("exif", exif);
        try {
            return (JSON.writeValueAsString(doc) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Double number(Rational r) {
        return r == null || r.getDenominator() == 0 ? null : r.doubleValue();
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null && !(value instanceof String s && s.isBlank())) {
            map.put(key, value instanceof String s ? s.strip() : value);
        }
    }
}
