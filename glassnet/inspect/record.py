"""The per-layer part of a trace's record (:meth:`glassnet.inspect.Trace.to_dict` documents every field)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .render import limit, plain_list, plain_number

if TYPE_CHECKING:
    from .trace import Trace

__all__ = ["layer_records"]


def layer_records(trace: Trace, max_neurons: int | None, max_weights: int | None) -> list[dict[str, Any]]:
    """One plain-data record per layer of ``trace``: its inputs, and per neuron shown s, a, delta, the blame
    it receives (BP2's terms), its bias and weight gradients (BP3, BP4) and the values after the step."""
    layers = []
    for lt in trace.layers:
        neurons = []
        n_shown = limit(lt.n_out, max_neurons)
        k_shown = limit(lt.n_in, max_weights)
        for j in range(n_shown):
            neuron: dict[str, Any] = {
                "neuron": j,
                "bias": plain_number(lt.bias[j]),
                "s": plain_list(lt.s[:, j]),
                "a": plain_list(lt.a[:, j]),
                "dcost_da": None if lt.dcost_da is None else plain_list(lt.dcost_da[:, j]),
                "slope": None if lt.slope is None else plain_list(lt.slope[:, j]),
                "delta": plain_list(lt.delta[:, j]),
            }
            if lt.mask is not None:
                neuron["mask"] = plain_list(lt.mask[:, j])
            if lt.contributions is not None:
                upper = trace.layers[lt.number]
                neuron["contributions"] = [
                    {
                        "downstream_neuron": m,
                        "weight": plain_number(upper.weights[j, m]),
                        "delta": plain_list(upper.delta[:, m]),
                        "product": plain_list(lt.contributions[:, j, m]),
                    }
                    for m in range(upper.n_out)
                ]
            neuron["bias_gradient"] = plain_number(lt.grad_bias[j])
            neuron["new_bias"] = plain_number(lt.new_bias[j])
            neuron["weights"] = [
                {
                    "from": k,
                    "value": plain_number(lt.weights[k, j]),
                    "gradient": plain_number(lt.grad_weights[k, j]),
                    "new_value": plain_number(lt.new_weights[k, j]),
                }
                for k in range(k_shown)
            ]
            neuron["weights_omitted"] = lt.n_in - k_shown
            neurons.append(neuron)
        layers.append(
            {
                "layer": lt.number,
                "activation": lt.activation,
                "output": lt.is_output,
                "fused": lt.fused,
                "inputs": [plain_list(row) for row in lt.inputs],
                "neurons": neurons,
                "neurons_omitted": lt.n_out - n_shown,
            }
        )
    return layers
