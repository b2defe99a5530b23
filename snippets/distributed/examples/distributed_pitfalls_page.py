"""Code of docs/distributed/distributed-pitfalls.md, section by section (run top to bottom).

The site runs these sections in order in one namespace whose ``__name__`` is
``"__main__"``. The sections that start processes do so under
``if __name__ == "__main__":``: ``launch`` starts ranks with the fork server,
and every new rank re-imports the main script, so unguarded launching code would
run again in each rank. Only the parent prints; ranks return their results.
Run as a script (``python -m snippets.distributed.examples.distributed_pitfalls_page``)
it works too, but each rank's re-import also repeats the output of the
unguarded sections: the pitfall the article describes, kept visible here.
"""

# --8<-- [start:module_prefix]
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
net.img_size = 224  # an attribute of the model, as in the notes
# without GPUs it simply calls net; the wrapping is the same
wrapped = nn.DataParallel(net)
print("wrapped.module is net :", wrapped.module is net)
print("net.img_size          :", wrapped.module.img_size)
try:
    wrapped.img_size
except AttributeError as error:
    print("wrapped.img_size      : AttributeError:", error)
print("wrapper's keys        :", list(wrapped.state_dict())[:3], "...")
print("model's keys          :", list(wrapped.module.state_dict())[:3], "...")
# --8<-- [end:module_prefix]

# --8<-- [start:load_checkpoint]
import torch
from torch import nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

from snippets.distributed.data_parallel import strip_module_prefix

torch.manual_seed(0)
wrapped = nn.DataParallel(
    nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
)
# saved from the wrapper: every key starts with "module."
checkpoint = wrapped.state_dict()
plain = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
try:
    plain.load_state_dict(checkpoint)
except RuntimeError as error:
    print(
        "plain.load_state_dict(wrapper checkpoint):",
        str(error).splitlines()[1].strip()[:60],
        "...",
    )

print(
    "after strip_module_prefix:", plain.load_state_dict(strip_module_prefix(checkpoint))
)
print("checkpoint still prefixed:", next(iter(checkpoint)))
torch_way = dict(checkpoint)
# torch's helper edits in place
consume_prefix_in_state_dict_if_present(torch_way, "module.")
print(
    "same keys as torch's helper:",
    list(torch_way) == list(strip_module_prefix(checkpoint)),
)

# back into a wrapper: load into .module (or save model.module.state_dict() to begin
# with)
rewrapped = nn.DataParallel(
    nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
)
print(
    "wrapper.module.load_state_dict:",
    rewrapped.module.load_state_dict(plain.state_dict()),
)
# --8<-- [end:load_checkpoint]

# --8<-- [start:scatter]
import torch

from snippets.distributed.data_parallel import scatter_sizes

for batch_size, gpus in [(9, 4), (10, 4), (3, 4), (1, 4), (8, 4)]:
    chunked = [len(t) for t in torch.arange(batch_size).chunk(gpus)]
    print(f"batch {batch_size:2d} over {gpus} GPUs -> {scatter_sizes(batch_size, gpus)}"
          f"  (Tensor.chunk: {chunked}, replicas used: {len(chunked)})")
# --8<-- [end:scatter]

# --8<-- [start:bn_one_sample]
import torch
from torch import nn

torch.manual_seed(0)
batch = torch.randn(10, 8)  # a last batch of 10 over 4 GPUs: chunks of 3, 3, 3, 1
bn = nn.BatchNorm1d(8).train()
for device, chunk in enumerate(batch.chunk(4)):  # what each replica's BatchNorm sees
    try:
        bn(chunk)
        print(f"replica {device}: {len(chunk)} samples -> ok")
    except ValueError as error:
        print(f"replica {device}: {len(chunk)} sample  -> ValueError: {error}")

# BatchNorm2d with 1 image still has H*W values per channel
images = torch.randn(1, 3, 4, 4)
print(
    "BatchNorm2d on 1 image:",
    tuple(nn.BatchNorm2d(3).train()(images).shape),
    "(runs, on one image's statistics)",
)
# --8<-- [end:bn_one_sample]

# --8<-- [start:drop_last_loader]
from torch.utils.data import DataLoader

print(
    "batch sizes, drop_last=False:",
    [len(b) for b in DataLoader(range(10), batch_size=4)],
)
print(
    "batch sizes, drop_last=True :",
    [len(b) for b in DataLoader(range(10), batch_size=4, drop_last=True)],
)
# --8<-- [end:drop_last_loader]

# --8<-- [start:uneven_fail]
from snippets.distributed.ddp import launch, make_dataset, train_ddp

if __name__ == "__main__":  # each new rank re-imports the main script: guard the launch
    dataset = make_dataset(9)
    for rank in range(2):
        # the naive split: 5 samples and 4 samples
        shard = list(range(rank, len(dataset), 2))
        print(
            f"rank {rank}: samples {shard} -> "
            f"{len(range(0, len(shard), 2))} batches of <= 2"
        )
    try:
        # collectives may wait 60 s (the defaults are 10-30 min); the parent gives up
        # after 3 s
        launch(
            train_ddp,
            2,
            args=(dataset, 2, 0.1, 1, "slice"),
            timeout=60.0,
            join_timeout=3.0,
        )
    except TimeoutError as error:
        print("TimeoutError:", error)
# --8<-- [end:uneven_fail]

# --8<-- [start:uneven_fixes]
from snippets.distributed.ddp import launch, make_dataset, train_ddp


def max_rank_difference(results):
    """Largest |rank 0 - rank 1| over all parameters: 0 when the ranks stayed in
    sync."""
    first, second = results[0]["params"], results[1]["params"]
    return max((first[name] - second[name]).abs().max().item() for name in first)


if __name__ == "__main__":
    dataset = make_dataset(9)
    sampler = launch(
        train_ddp, 2, args=(dataset, 2, 0.1, 1, "sampler", True), timeout=10.0
    )
    print(
        "DistributedSampler(drop_last=True): batches",
        [r["batches"] for r in sampler],
        "| max |rank0 - rank1| =",
        max_rank_difference(sampler),
    )
    joined = launch(
        train_ddp, 2, args=(dataset, 2, 0.1, 1, "slice", False, True), timeout=10.0
    )
    print("naive split inside Join([model])  : batches", [r["batches"] for r in joined],
          "| max |rank0 - rank1| =", max_rank_difference(joined))
# --8<-- [end:uneven_fixes]

# --8<-- [start:sampler_padding]
from torch.utils.data.distributed import DistributedSampler

from snippets.distributed.sampler import shard_indices

for drop_last in (False, True):
    ours = [shard_indices(10, 4, rank, drop_last=drop_last) for rank in range(4)]
    torch_shards = [
        list(DistributedSampler(range(10), 4, rank, shuffle=False, drop_last=drop_last))
        for rank in range(4)
    ]
    print(
        f"drop_last={drop_last!s:5}: {ours}  "
        f"same as DistributedSampler: {ours == torch_shards}"
    )

# Evaluate 10 samples on 4 ranks and average what the ranks report.
correct = [1, 1, 0, 1, 1, 1, 0, 1, 0, 0]  # per-sample: did the model get it right?
print(f"true accuracy over 10 samples       : {sum(correct) / 10:.4f}")
for drop_last in (False, True):
    seen = [
        i for rank in range(4) for i in shard_indices(10, 4, rank, drop_last=drop_last)
    ]
    print(
        f"all-reduced accuracy, drop_last={drop_last!s:5}: "
        f"{sum(correct[i] for i in seen) / len(seen):.4f}"
        f"  ({len(seen)} predictions counted)"
    )
# --8<-- [end:sampler_padding]

# --8<-- [start:set_epoch]
from snippets.distributed.sampler import shard_indices

for epoch in (0, 0, 1, 2):
    print(
        f"rank 0, shuffle=True, set_epoch({epoch}):",
        shard_indices(12, 2, 0, shuffle=True, epoch=epoch),
    )
# --8<-- [end:set_epoch]

# --8<-- [start:ddp_equivalence]
from snippets.distributed.ddp import launch, make_dataset, train_ddp, train_single


def max_difference(first, second):
    return max((first[name] - second[name]).abs().max().item() for name in first)


if __name__ == "__main__":
    dataset = make_dataset(16)
    # batch 4 per rank, 2 epochs
    ranks = launch(train_ddp, 2, args=(dataset, 4, 0.1, 2), timeout=10.0)
    big_batch = train_single(dataset, batch_size=8, lr=0.1, epochs=2)
    small_batch = train_single(dataset, batch_size=4, lr=0.1, epochs=2)
    print("steps per rank:", [r["batches"] for r in ranks])
    print(
        "ranks identical                      :",
        max_difference(ranks[0]["params"], ranks[1]["params"]) == 0.0,
    )
    print(
        "DDP vs 1 process, batch 8, < 1e-6    :",
        max_difference(ranks[0]["params"], big_batch) < 1e-6,
    )
    print(
        "DDP vs 1 process, batch 4 (not equal): "
        f"{max_difference(ranks[0]['params'], small_batch):.2f}"
    )
# --8<-- [end:ddp_equivalence]

# --8<-- [start:sync_batchnorm]
from torch import nn

from snippets.distributed.ddp import launch, sync_batchnorm_on_cpu

model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
synced = nn.SyncBatchNorm.convert_sync_batchnorm(model)  # conversion works anywhere
print("after convert_sync_batchnorm:", [type(m).__name__ for m in synced])

if __name__ == "__main__":
    print(
        "forward on CPU in a 2-rank gloo group:",
        launch(sync_batchnorm_on_cpu, 2, timeout=10.0)[0],
    )
# --8<-- [end:sync_batchnorm]
