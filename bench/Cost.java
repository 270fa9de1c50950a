import pixq.job.CostModel;

/**
 * The cost per 1,000 images on Lambda (us-east-1 list prices, template.yaml's worker: 3,008 MB, 4 messages per
 * invocation, 2 at once) for a measured CPU time per image, with an assumed wait on S3 and DynamoDB per job.
 *
 * <p>Usage: {@link #USAGE}.
 */
public class Cost {
    static final String USAGE = "java -cp target/pixq.jar bench/Cost.java LABEL CPU_SECONDS_PER_IMAGE OUTPUTS_PER_IMAGE [WAIT_SECONDS, default 0.05]";

    public static void main(String[] a) {
        if (a.length < 3) {
            System.out.println(USAGE);
            System.exit(a.length == 1 && (a[0].equals("--help") || a[0].equals("-h")) ? 0 : 2);
        }
        double cpu = Double.parseDouble(a[1]);
        int outputs = Integer.parseInt(a[2]);
        double wait = a.length > 3 ? Double.parseDouble(a[3]) : 0.05;
        CostModel.Usage usage = CostModel.Usage.fromCpu(1000, outputs, cpu, wait, CostModel.Deployment.TEMPLATE, 1);
        for (CostModel.Prices prices : new CostModel.Prices[] {CostModel.X86_64, CostModel.ARM64}) {
            System.out.printf("%s, %.3f CPU-s + %.2f s wait per image: %s%n", a[0], cpu, wait,
                    new CostModel(prices, CostModel.Deployment.TEMPLATE).line(usage));
        }
    }
}
