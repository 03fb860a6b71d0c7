package dev.aios.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Named agents taking turns, in the order listed, until {@link #until()} holds, {@link
 * #maxTurns()} turns were taken, or the turns' model cost reached {@link #budget()}. Each turn is a
 * step of its own (journaled, retried, with its model cost). A participant's input and the {@code
 * until} condition see, besides the run's variables, {@code transcript} (the turns so far, each
 * {@code {turn, speaker, agent, output, costUsd}}) and {@code last} (the latest turn, or null). The
 * step's output is {@code {transcript, turns, costUsd, endedBy}}.
 *
 * @param id the step's id
 * @param participants the agents, in speaking order
 * @param until CEL: the conversation ends once it holds after a turn
 * @param maxTurns the most turns, 1 to 100
 * @param budget the most model cost in US dollars; empty means no limit but {@code maxTurns}
 * @param next where the run goes when the conversation ends
 */
public record ConversationStep(
        String id,
        List<Participant> participants,
        String until,
        int maxTurns,
        Optional<BigDecimal> budget,
        Optional<String> next)
        implements Step {

    /** The most turns a conversation may take. */
    public static final int MAX_TURNS = 100;

    /**
     * One speaker.
     *
     * @param name its name in the transcript, e.g. {@code reviewer}
     * @param agent the agent that speaks
     * @param input field to CEL expression
     */
    public record Participant(String name, String agent, Map<String, String> input) {
        public Participant {
            if (name == null || !Step.Ids.STEP.matcher(name).matches()) {
                throw new IllegalArgumentException("participant name '" + name
                        + "' must start with a letter and contain only letters, digits, '-' and '_'");
            }
            Objects.requireNonNull(agent, "agent");
            input = Copies.orderedMap(input);
        }
    }

    public ConversationStep {
        Step.checkId(id);
        participants = List.copyOf(participants);
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(next, "next");
        if (participants.isEmpty()) {
            throw new IllegalArgumentException("conversation step '" + id + "' has no agents; name at least one");
        }
        if (participants.stream().map(Participant::name).distinct().count() < participants.size()) {
            throw new IllegalArgumentException(
                    "conversation step '" + id + "' names a participant twice; give each its own name");
        }
        if (maxTurns < 1 || maxTurns > MAX_TURNS) {
            throw new IllegalArgumentException("conversation step '" + id + "': maxTurns must be between 1 and "
                    + MAX_TURNS + ", was " + maxTurns);
        }
        budget.ifPresent(b -> {
            if (b.signum() <= 0) {
                throw new IllegalArgumentException(
                        "conversation step '" + id + "': budget must be more than 0, was " + b);
            }
        });
    }

    /** A conversation with no participants yet, ending when {@code until} holds or after {@code maxTurns}. */
    public static ConversationStep of(String id, String until, int maxTurns, Participant... participants) {
        return new ConversationStep(id, List.of(participants), until, maxTurns, Optional.empty(), Optional.empty());
    }

    /** A copy with one more participant. */
    public ConversationStep withParticipant(String name, String agent, Map<String, String> input) {
        var copy = new ArrayList<>(participants);
        copy.add(new Participant(name, agent, input));
        return new ConversationStep(id, copy, until, maxTurns, budget, next);
    }

    /** A copy that ends once the turns cost {@code usd} or more. */
    public ConversationStep withBudget(BigDecimal usd) {
        return new ConversationStep(id, participants, until, maxTurns, Optional.of(usd), next);
    }

    /** A copy that continues with {@code next}. */
    public ConversationStep withNext(String next) {
        return new ConversationStep(id, participants, until, maxTurns, budget, Optional.of(next));
    }

    @Override
    public String kind() {
        return "conversation";
    }
}
