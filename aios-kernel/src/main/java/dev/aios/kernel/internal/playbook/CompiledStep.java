package dev.aios.kernel.internal.playbook;

import dev.aios.api.ParallelStep;
import dev.aios.api.Step;
import dev.aios.api.StepOptions;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.cel.Expression;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A step ready to run: expressions compiled and every target resolved to a step id or {@value
 * Step#END}. One record per kind of {@link Step}.
 */
public sealed interface CompiledStep {

    /** The step's id. */
    String id();

    /** What the step does. */
    StepKind kind();

    /**
     * Where the run goes when the step completes normally: a step id or {@value Step#END}. For a
     * branch, the target when no case holds.
     */
    String next();

    /** Every step id (or {@value Step#END}) the run can go to from this step, in order, without repeats. */
    List<String> targets();

    /**
     * A compiled compensation: the agent that undoes a step, and its input expressions.
     *
     * @param agent the compensating agent
     * @param input input field to expression, in the order written
     */
    record Compensation(String agent, Map<String, Expression> input) {
        public Compensation {
            Objects.requireNonNull(agent, "agent");
            input = ordered(input);
        }
    }

    /**
     * Calls an agent.
     *
     * @param input input field to expression, in the order written
     * @param approval when it yields true, the output waits for the operator
     * @param options the step's options, completed from the playbook's defaults
     * @param compensation what undoes the step once it completed
     * @param fallback the agent that does the step while the policy switches {@code agent} off
     */
    record AgentCall(
            String id,
            String agent,
            Map<String, Expression> input,
            Optional<Expression> approval,
            String next,
            StepOptions options,
            Optional<Compensation> compensation,
            Optional<String> fallback)
            implements CompiledStep {
        public AgentCall {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(agent, "agent");
            input = ordered(input);
            Objects.requireNonNull(approval, "approval");
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(compensation, "compensation");
            Objects.requireNonNull(fallback, "fallback");
        }

        @Override
        public StepKind kind() {
            return StepKind.AGENT;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    /**
     * Asks the operator.
     *
     * @param when when present and false, the gate is passed without asking
     * @param show label to expression, in the order written
     * @param onReject where a rejection goes; empty means the run fails as rejected
     */
    record Approval(
            String id,
            String title,
            Optional<Expression> when,
            Map<String, Expression> show,
            String next,
            Optional<String> onReject)
            implements CompiledStep {
        public Approval {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(when, "when");
            show = ordered(show);
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(onReject, "onReject");
        }

        @Override
        public StepKind kind() {
            return StepKind.APPROVAL;
        }

        @Override
        public List<String> targets() {
            return distinct(next, onReject.orElse(next));
        }
    }

    /**
     * Pauses durably. Exactly one of {@code fixed}, {@code duration} and {@code until} is present.
     *
     * @param fixed a duration written as a literal
     * @param duration an expression yielding the duration
     * @param until an expression yielding the time to wake up
     */
    record Wait(
            String id, Optional<Duration> fixed, Optional<Expression> duration, Optional<Expression> until, String next)
            implements CompiledStep {
        public Wait {
            Objects.requireNonNull(id, "id");
            int present = (fixed.isPresent() ? 1 : 0) + (duration.isPresent() ? 1 : 0) + (until.isPresent() ? 1 : 0);
            if (present != 1) {
                throw new IllegalArgumentException(
                        "wait step '" + id + "' needs exactly one of fixed, duration, until");
            }
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.WAIT;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    /**
     * Waits for an event. Exactly one of {@code fixedTimeout} and {@code timeout} is present.
     *
     * @param eventType the event type awaited
     * @param match condition over the candidate {@code event} and the waiting run
     * @param onTimeout where the run goes when no event arrives in time
     * @param next where the run goes when one does
     */
    record Await(
            String id,
            String eventType,
            Expression match,
            Optional<Duration> fixedTimeout,
            Optional<Expression> timeout,
            String onTimeout,
            String next)
            implements CompiledStep {
        public Await {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(eventType, "eventType");
            Objects.requireNonNull(match, "match");
            if (fixedTimeout.isPresent() == timeout.isPresent()) {
                throw new IllegalArgumentException("await step '" + id + "' needs exactly one timeout");
            }
            Objects.requireNonNull(onTimeout, "onTimeout");
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.AWAIT;
        }

        @Override
        public List<String> targets() {
            return distinct(next, onTimeout);
        }
    }

    /**
     * Chooses where to go: the target of the first case that holds, else {@code otherwise}.
     *
     * @param cases conditions in order
     */
    record Branch(String id, List<Case> cases, String otherwise) implements CompiledStep {

        /** One case: go to {@code target} when {@code when} holds. */
        public record Case(Expression when, String target) {
            public Case {
                Objects.requireNonNull(when, "when");
                Objects.requireNonNull(target, "target");
            }
        }

        public Branch {
            Objects.requireNonNull(id, "id");
            cases = List.copyOf(cases);
            Objects.requireNonNull(otherwise, "otherwise");
        }

        @Override
        public StepKind kind() {
            return StepKind.BRANCH;
        }

        /** The same as {@link #otherwise()}. */
        @Override
        public String next() {
            return otherwise;
        }

        @Override
        public List<String> targets() {
            var all = new ArrayList<String>();
            cases.forEach(c -> all.add(c.target()));
            all.add(otherwise);
            return all.stream().distinct().toList();
        }
    }

    /**
     * Publishes an event.
     *
     * @param subject yields the subject; empty means the run's subject
     * @param data field to expression, in the order written
     */
    record Emit(String id, String type, Optional<Expression> subject, Map<String, Expression> data, String next)
            implements CompiledStep {
        public Emit {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(subject, "subject");
            data = ordered(data);
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.EMIT;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    /**
     * Runs branches at once. Each branch's steps are compiled under {@code <static path>/<branch>};
     * the map gives each branch's first step id.
     *
     * @param branches branch name to the id of its first step, in the order written
     * @param join when the step is done
     */
    record Parallel(String id, Map<String, String> branches, ParallelStep.Join join, String next)
            implements CompiledStep {
        public Parallel {
            Objects.requireNonNull(id, "id");
            branches = Collections.unmodifiableMap(new LinkedHashMap<>(branches));
            Objects.requireNonNull(join, "join");
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.PARALLEL;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    /**
     * Runs its body for each item of a list; the body is compiled under {@code <static path>}.
     *
     * @param items yields the list
     * @param as the variable the body sees the item as
     * @param first the id of the body's first step
     * @param collect yields what to keep of an iteration; empty means its outputs
     */
    record ForEach(
            String id,
            Expression items,
            String as,
            String first,
            int concurrency,
            Optional<Expression> collect,
            String next)
            implements CompiledStep {
        public ForEach {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(items, "items");
            Objects.requireNonNull(as, "as");
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(collect, "collect");
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.FOR_EACH;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    /**
     * Starts a child run of another playbook.
     *
     * @param input field to expression: the child's trigger data
     * @param waits whether the step waits for the child to end
     * @param options the step's options, completed from the playbook's defaults
     */
    record Call(
            String id, String playbook, Map<String, Expression> input, boolean waits, String next, StepOptions options)
            implements CompiledStep {
        public Call {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(playbook, "playbook");
            input = ordered(input);
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public StepKind kind() {
            return StepKind.CALL;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    /**
     * Agents taking turns. Each participant is compiled as an {@link AgentCall} under {@code
     * <static path>/<participant>}.
     *
     * @param participants the speakers' names, in speaking order
     * @param until ends the conversation once it holds after a turn
     * @param budget the most model cost in US dollars
     */
    record Conversation(
            String id,
            List<String> participants,
            Expression until,
            int maxTurns,
            Optional<BigDecimal> budget,
            String next)
            implements CompiledStep {
        public Conversation {
            Objects.requireNonNull(id, "id");
            participants = List.copyOf(participants);
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(budget, "budget");
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.CONVERSATION;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }

        /** Who speaks at turn {@code turn} (from 0). */
        public String speaker(int turn) {
            return participants.get(turn % participants.size());
        }
    }

    /**
     * Sends a message to a stateful agent's instance.
     *
     * @param subject yields the subject; empty means the run's subject
     * @param message field to expression
     */
    record Send(String id, String agent, Optional<Expression> subject, Map<String, Expression> message, String next)
            implements CompiledStep {
        public Send {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(subject, "subject");
            message = ordered(message);
            Objects.requireNonNull(next, "next");
        }

        @Override
        public StepKind kind() {
            return StepKind.SEND;
        }

        @Override
        public List<String> targets() {
            return List.of(next);
        }
    }

    private static Map<String, Expression> ordered(Map<String, Expression> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    private static List<String> distinct(String first, String second) {
        return first.equals(second) ? List.of(first) : List.of(first, second);
    }
}
