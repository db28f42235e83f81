package dev.stepwise.simulate;

import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchSimTest {
    @Test
    void run() throws Exception {
        for (String[] c : new String[][] {
                {"checkout-api", "checkout-api-healthy", "success-rate", "error-rate"},
                {"web-app", "web-app-analysis-fails", "success-rate"},
                {"payments-api", "payments-api-bluegreen", "smoke-tests", "success-rate"}}) {
            List<SourceFile> files = new ArrayList<>();
            files.add(file("examples-repo/rollouts/" + c[0] + ".yaml"));
            for (int i = 2; i < c.length; i++) {
                files.add(file("examples-repo/analysis/" + c[i] + ".yaml"));
            }
            RepositoryModel model = RepositoryModel.of(new SpecLoader().load(files));
            RolloutSpec spec = model.rollouts().get(0);
            SourceFile tf = file("examples-repo/simulations/" + c[1] + ".yaml");
            SafeYamlReader.ParsedDocument doc = new SafeYamlReader().read(tf).documents().get(0);
            Timeline t = TimelineReader.read(doc.root(), doc.sourceMap()).timeline().orElseThrow();
            SimulationResult r = new Simulator().run(spec, RolloutEngine.templatesFor(model, spec), t);
            System.out.println("==== " + c[0] + " " + r.phase() + " aborted=" + r.aborted() + " steps " + r.completedSteps() + "/" + r.totalSteps() + " stop=" + r.stopReason());
            for (SimEvent e : r.events()) {
                System.out.println(e.at() + " " + e.type() + " s" + e.step() + " w" + e.weight() + " " + e.phase() + " " + e.detail());
            }
        }
    }

    private static SourceFile file(String p) throws Exception {
        return new SourceFile(p, Files.readAllBytes(Path.of(p)));
    }
}
