export * from '../rack-model/gpu-power.js'; // the model moved to rack-model so the capper's counterfactual report shares it
