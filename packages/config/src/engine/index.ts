// The routing engine: runPlan, explainPlan, breakers, events.
export {};
