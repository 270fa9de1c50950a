package pixq.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pixq.recipe.Operation.Blur;
import pixq.recipe.Operation.Command;
import pixq.recipe.Operation.Crop;
import pixq.recipe.Operation.Custom;
import pixq.recipe.Operation.Fit;
import pixq.recipe.Operation.Flip;
import pixq.recipe.Operation.Flop;
import pixq.recipe.Operation.Grayscale;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Operation.Rotate;
import pixq.recipe.Operation.Sharpen;
import pixq.recipe.Operation.Strip;
import pixq.recipe.Operation.Watermark;

class RecipeStringTest {

    @Test
    void aSingleOutputPipeline() {
        Recipe r = RecipeString.parse("orient | fit 1024x1024 | jpeg 85");
        assertEquals(List.of(new Orient(), Resize.inside(1024, 1024)), r.steps());
        assertEquals(List.of(new Output("", "jpeg", 85, List.of())), r.outputs());
    }

    @Test
    void outputsTapThePipelineAndTheRestGoesOnFromThere() {
        Recipe r = RecipeString.parse("orient | fit 1600 > jpeg 82 -1600 ; fit 800 > jpeg 82 -800 ; fit 320 > webp 70 -320");
        assertEquals(List.of(new Orient(), Resize.inside(1600, 1600)), r.steps());
        assertEquals(new Output("-1600", "jpeg", 82, List.of()), r.outputs().get(0));
        assertEquals(new Output("-800", "jpeg", 82, List.of(Resize.inside(800, 800))), r.outputs().get(1));
        assertEquals(new Output("-320", "webp", 70, List.of(Resize.inside(800, 800), Resize.inside(320, 320))),
                r.outputs().get(2));
    }

    @Test
    void everyStepHasAStringForm() {
        Recipe r = RecipeString.parse("auto-orient | resize 300x200 cover north | fit 300x cover | fit x200 contain #ff0000 upscale"
                + " | fit 10x10 fill | crop 10x20+3+4 | crop 5x5 se | rotate -90 | flip | flop | gray | blur 1.5"
                + " | sharpen | sharpen 2 0.5 | strip | watermark \"© pixq | 2024\" sw opacity=40% scale=0.1"
                + " | watermark @logos/p.png | command denoise | custom sepia strength=3 | png 9 -x");
        List<Operation> expected = List.of(new Orient(),
                new Resize(300, 200, Fit.COVER, false, null, Gravity.NORTH),
                new Resize(300, null, Fit.COVER, false, null, null),
                new Resize(null, 200, Fit.CONTAIN, true, "#ff0000", null),
                new Resize(10, 10, Fit.FILL, false, null, null),
                new Crop(3, 4, 10, 20, null), new Crop(null, null, 5, 5, Gravity.SOUTHEAST),
                new Rotate(270), new Flip(), new Flop(), new Grayscale(), new Blur(1.5),
                new Sharpen(null, null), new Sharpen(2.0, 0.5), new Strip(),
                new Watermark("© pixq | 2024", null, Gravity.SOUTHWEST, 0.4, 0.1),
                new Watermark(null, "logos/p.png", null, null, null),
                new Command("denoise"), new Custom("sepia", Map.of("strength", "3")));
        assertEquals(expected, r.steps());
        assertEquals(new Output("-x", "png", 9, List.of()), r.outputs().get(0));
    }

    @Test
    void outputOptions() {
        Recipe r = RecipeString.parse("jpg 70 progressive -a ; meta -info");
        assertEquals(new Output("-a", "jpeg", 70, List.of(), true), r.outputs().get(0));
        assertEquals(".json", r.outputs().get(1).extension());
        assertEquals("-info.json", r.outputs().get(1).suffix());
    }

    @Test
    void avifIsAnOutputWithItsQualityExtensionAndContentType() throws Exception {
        Output o = RecipeString.parse("orient | avif 60 -web keep=icc").outputs().get(0);
        assertEquals(new Output("-web", Output.Format.AVIF, 60, List.of(), null, List.of(Output.Keep.ICC)), o);
        assertEquals("-web.avif", o.suffix());
        assertEquals("image/avif", o.format().contentType());
        assertEquals("avif", Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(o)).get("format").asText());
        assertError("avif 101", "avif quality must be 1..100");
    }

    @Test
    void keptMetadataIsNamedCanonically() throws Exception {
        Output o = RecipeString.parse("png keep=gps,exif,ICC -k").outputs().get(0);
        assertEquals(List.of(Output.Keep.ICC, Output.Keep.COPYRIGHT, Output.Keep.ARTIST, Output.Keep.DATE, Output.Keep.GPS), o.keep());
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o);
        // the message form job ids come from is what it was when keep was a list of strings
        assertEquals("{\"name\":\"-k\",\"format\":\"png\",\"steps\":[],\"keep\":[\"icc\",\"copyright\",\"artist\",\"date\",\"gps\"]}", json);
        assertEquals(o, new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Output.class));
        assertEquals(o, new com.fasterxml.jackson.databind.ObjectMapper().readValue(json.replace("\"copyright\",\"artist\",\"date\"", "\"exif\""),
                Output.class), "a recipe file may say exif");
        assertEquals(null, RecipeString.parse("png").outputs().get(0).keep()); // absent from JSON: job ids unchanged
        assertError("jpeg keep=thumbnail", "cannot keep 'thumbnail'");
    }

    @Test
    void aRecipeOfCommandsOnlyHasTheLastCommandsFilesAsOutputs() throws Exception {
        Recipe r = RecipeString.parse("command denoise | command detect allow-empty");
        assertEquals(List.of(new Command("denoise"), new Command("detect", true)), r.steps());
        assertTrue(r.outputs().isEmpty() && r.writesCommandFiles());
        assertEquals(r, r.validated());
        // absent when not set, so the job ids of existing command recipes stay as they were
        assertEquals("{\"op\":\"command\",\"name\":\"denoise\"}", new ObjectMapper().writeValueAsString(new Command("denoise", false)));
        assertError("orient | command detect", "ends with an output");
        assertError("command detect sometimes", "command takes a name, then optionally allow-empty");
    }

    @Test
    void mistakesAreExplained() {
        assertError("orient | fitt 100 | jpeg", "unknown step 'fitt'");
        assertError("orient | fit 100", "ends with an output");
        assertError("fit big | jpeg", "'big' is not a size");
        assertError("rotate 45 | jpeg", "rotate takes 90, 180 or 270");
        assertError("fit 10 | jpeg 120", "jpeg quality must be 1..100");
        assertError("orient || jpeg", "an empty step");
        assertError("watermark \"open | jpeg", "not closed");
        assertError("fit 10 sideways | jpeg", "unknown gravity 'sideways'");
        assertError("jpeg -a/../../etc", "plain file-name suffix");
        assertError("command ../bin/sh | jpeg", "plain name");
    }

    private static void assertError(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecipeString.parse(text));
        assertTrue(e.getMessage().contains(expected), "for " + text + ": " + e.getMessage());
    }
}
