"""The shared loop of kernel-trained models reads the kernels' counters by the slots they write."""

from nnsim.engine.kernels import autoencoder as autoencoder_kernels
from nnsim.engine.kernels import rbm as rbm_kernels
from nnsim.training import epoch_loop


def test_every_kernel_module_writes_the_counter_slots_the_loop_reads():
    for kernels in (rbm_kernels, autoencoder_kernels):
        assert (kernels.CT_UPDATES, kernels.CT_ERROR) == (epoch_loop.CT_UPDATES, epoch_loop.CT_ERROR)
