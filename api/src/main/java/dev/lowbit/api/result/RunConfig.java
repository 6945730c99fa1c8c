package dev.lowbit.api.result;

/**
 * Everything that defines one run: the same config always gets the same run id.
 *
 * @param suite the suite the run belongs to (its results folder)
 * @param dataset dataset name, e.g. {@code fashion-mnist}
 * @param architecture architecture id
 * @param quantizer quantizer id
 * @param optimizer optimizer name, e.g. {@code adam}
 * @param learningRate the optimizer's learning rate
 * @param batchSize training batch size
 * @param epochs number of epochs to train
 * @param trainLimit how many of the first training images were used; 0 means all
 * @param validationShare share of those images held out (stratified, seeded) for validation
 * @param seed seed for initialisation, split and shuffling
 */
public record RunConfig(
        String suite,
        String dataset,
        String architecture,
        String quantizer,
        String optimizer,
        double learningRate,
        int batchSize,
        int epochs,
        int trainLimit,
        double validationShare,
        long seed) {

    /** The config of this run's fp32 twin: the same run with the full-precision quantizer. */
    public RunConfig withQuantizer(String quantizerId) {
        return new RunConfig(suite, dataset, architecture, quantizerId, optimizer, learningRate,
                batchSize, epochs, trainLimit, validationShare, seed);
    }
}
