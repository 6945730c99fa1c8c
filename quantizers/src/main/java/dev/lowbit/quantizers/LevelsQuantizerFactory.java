package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;

/**
 * Any alphabet by its values: {@code levels:-2,-1,1,2}. The values are sorted, so
 * {@code levels:1,-1} and {@code levels:-1,1} are one quantizer, stored as {@code levels:-1,1}.
 */
public final class LevelsQuantizerFactory implements QuantizerFactory {

    @Override
    public String name() {
        return "levels";
    }

    @Override
    public String description() {
        return "any alphabet by its values, e.g. levels:-1.5,-0.5,0.5,1.5";
    }

    @Override
    public Quantizer create(String parameters) {
        Alphabet alphabet = Alphabet.parse(parameters);
        return new AlphabetQuantizer(
                "levels:" + alphabet.toSpec(),
                alphabet.levels() + " levels " + alphabet + (alphabet.hasZero() ? "" : ", no zero"),
                alphabet,
                dev.lowbit.api.scale.ScaleRules.DEFAULT);
    }
}
