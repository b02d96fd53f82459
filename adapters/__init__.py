"""Implementations under test. Framework imports happen inside adapter modules, lazily."""

# adapter name -> module that declares it (importing a module registers its adapter)
BUILTIN = {
    "reference": "adapters.numpy_reference",
    "torch": "adapters.pytorch",
    "tensorflow": "adapters.tensorflow",
    "jax": "adapters.jax_optax",
}
