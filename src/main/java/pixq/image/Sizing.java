package pixq.image;

import pixq.recipe.Operation.Fit;
import pixq.recipe.Operation.Resize;

/**
 * The geometry of one resize, worked out from the image size alone: scale to {@code scaledW×scaledH}, then
 * either crop (cover) or pad (contain) to {@code outW×outH}, the scaled image's top-left at {@code x,y} in the
 * output (negative when cropping).
 */
record Sizing(int scaledW, int scaledH, int outW, int outH, int x, int y) {

    static Sizing of(Resize r, int w, int h) {
        Integer bw = r.width();
        Integer bh = r.height();
        boolean up = r.upscale();
        if (r.fit() == Fit.FILL) {
            int tw = bw != null ? bw : scale(w, (double) bh / h);
            int th = bh != null ? bh : scale(h, (double) bw / w);
            tw = up ? tw : Math.min(tw, w);
            th = up ? th : Math.min(th, h);
            return new Sizing(tw, th, tw, th, 0, 0);
        }
        double sx = bw == null ? Double.POSITIVE_INFINITY : (double) bw / w;
        double sy = bh == null ? Double.POSITIVE_INFINITY : (double) bh / h;
        boolean both = bw != null && bh != null;
        if (r.fit() == Fit.COVER && both) {
            double s = Math.max(sx, sy);
            int sw = s <= 1 || up ? (sx >= sy ? bw : scale(w, s)) : w;
            int sh = s <= 1 || up ? (sx >= sy ? scale(h, s) : bh) : h;
            int ow = Math.min(bw, sw);
            int oh = Math.min(bh, sh);
            return new Sizing(sw, sh, ow, oh, -r.gravity().offset(sw, ow, true), -r.gravity().offset(sh, oh, false));
        }
        double s = Math.min(sx, sy);
        int sw = s >= 1 && !up ? w : (sx <= sy ? bw : scale(w, s));
        int sh = s >= 1 && !up ? h : (sx <= sy ? scale(h, s) : bh);
        if (r.fit() == Fit.CONTAIN && both) {
            return new Sizing(sw, sh, bw, bh, r.gravity().offset(bw, sw, true), r.gravity().offset(bh, sh, false));
        }
        return new Sizing(sw, sh, sw, sh, 0, 0);
    }

    private static int scale(int side, double s) {
        return (int) Math.max(1, Math.round(side * s));
    }
}
