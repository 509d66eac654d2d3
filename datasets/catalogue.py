"""Real ranking datasets declared as data (the ir_datasets way): their files, fold layout,
sha256 checksums (for the files whose bytes we know, from the ``PROVENANCE.md`` of the shipped
copies) and expected counts over the whole dataset: queries, documents, features and the label
histogram (``None`` where no verified source gives it)."""

from __future__ import annotations

from dataclasses import dataclass, field

SPLIT_FILES = ("train", "vali", "test")


@dataclass(frozen=True)
class Fold:
    """The files of each part of one fold (several files are concatenated)."""

    train: tuple[str, ...]
    vali: tuple[str, ...]
    test: tuple[str, ...]

    def parts(self) -> dict[str, tuple[str, ...]]:
        return {"train": self.train, "vali": self.vali, "test": self.test}


def rotation(parts: tuple[str, ...]) -> tuple[Fold, ...]:
    """LETOR's five folds over parts S1..S5: train = 3 parts, vali = the next, test = the
    last (Fold1 = S1,S2,S3 | S4 | S5; Fold2 = S2,S3,S4 | S5 | S1; ...)."""
    n = len(parts)
    return tuple(
        Fold(
            tuple(parts[(k + j) % n] for j in range(3)),
            (parts[(k + 3) % n],),
            (parts[(k + 4) % n],),
        )
        for k in range(n)
    )


def fold_dirs(n: int = 5) -> tuple[Fold, ...]:
    """Folds materialised as ``FoldK/{train,vali,test}.txt`` (the MSLR layout)."""
    return tuple(
        Fold((f"Fold{k}/train.txt",), (f"Fold{k}/vali.txt",), (f"Fold{k}/test.txt",))
        for k in range(1, n + 1)
    )


@dataclass(frozen=True)
class Facts:
    """A known dataset. Counts are over the whole dataset, i.e. over all files of any fold."""

    name: str
    title: str
    folder: str
    folds: tuple[Fold, ...]
    n_features: int | None
    queries: int | None = None
    docs: int | None = None
    labels: tuple[int, ...] | None = None  # histogram of labels 0, 1, ...
    max_label: int = 4
    sha256: dict[str, str] = field(default_factory=dict)
    query_files: bool = False  # groups from ``<file>.query`` instead of ``qid:``
    alternative: tuple[Fold, ...] = ()  # used when a file of ``folds`` is missing
    source: str = ""
    given_path: bool = False  # an undeclared folder given by its path (``folder`` is the path)

    @property
    def files(self) -> tuple[str, ...]:
        names = dict.fromkeys(f for fold in self.folds for p in fold.parts().values() for f in p)
        if self.query_files:
            names.update(dict.fromkeys(f + ".query" for f in list(names)))
        return tuple(names)


LETOR_PARTS = tuple(f"S{k}.txt" for k in range(1, 6))
MQ2008_SHA256 = {
    "S1.txt": "cbd42504549a2388f6c0aefdb506f22074225b574c7a5df10194174c9b00e4e0",
    "S2.txt": "055ac792cb8f7d5a029090b8acbfb6c57323339d1371251bf2465ac182aa8605",
    "S3.txt": "a03fe2b6e76479de60fecdb37d560a40a4e899b0cd685553d2da31ea205af1ab",
    "S4.txt": "a239850bc6fe960ad08c2b7b0d99db90fe976dd93a15358e98036591b4e7a2ac",
    "S5.txt": "c68c52feb1ecae7f17b64c8e2fda2098302681bbd4ea5fad8c73a1d32a1cf2b2",
    "Fold1/train.txt": "9b98c14e9536f2a18c59670714c99defc63e74359c56cba219a61db248f27123",
    "Fold1/vali.txt": "a239850bc6fe960ad08c2b7b0d99db90fe976dd93a15358e98036591b4e7a2ac",
    "Fold1/test.txt": "c68c52feb1ecae7f17b64c8e2fda2098302681bbd4ea5fad8c73a1d32a1cf2b2",
}
OHSUMED_SHA256 = {
    "S1.txt": "77db6790a7023ed6d9bd2b9b2fa8528e1d82aa7e896863d3ed844f635870fbe2",
    "S2.txt": "935539d33380570cdee765e38f8c2796cb4c04d01a50e50374e8bc7d45872571",
    "S3.txt": "1d1ff784d9fdc4cd491a0d70fdd4dfb1adada943a0eb2e3954d74187158160da",
    "S4.txt": "49975c7319672e4fba82d00c69911b8514752bb2610077a5f432d7efc2fa5fc0",
    "S5.txt": "526f9158b85fb9b6446f9c87e1ccc428f7e54d639800e108c091cb70706a88e6",
    "Fold1/train.txt": "36f7d7d08b5adc6e7a66ec34a6240674b584086ba621eaa04915b4ce7a2b687f",
    "Fold1/vali.txt": "49975c7319672e4fba82d00c69911b8514752bb2610077a5f432d7efc2fa5fc0",
    "Fold1/test.txt": "526f9158b85fb9b6446f9c87e1ccc428f7e54d639800e108c091cb70706a88e6",
}
LIGHTGBM_SHA256 = {
    "rank.train": "a0c7201c89120879c14a5059e091f441cbf2a29b8aaef363885ccb1a530448df",
    "rank.train.query": "40cb5fef637229311cd30fab13cb7fb633b023e86a87ff04ec55db420143d6af",
    "rank.test": "3b1219ce117a0a36d2f76c02de7e7831c1d79af0d40f5195c03178bbe26c824b",
    "rank.test.query": "36dca82ba3bf99201bac3987b00a8fbf6fe5f563e9fa6d0da90e783710a32df4",
}
MSLR = "microsoft.com/en-us/research/project/mslr"
YAHOO = "Chapelle & Chang, JMLR W&CP 14 (2011); counts from MSR's LETOR yahoodata page"
KNOWN: dict[str, Facts] = {
    facts.name: facts
    for facts in (
        Facts(
            name="mq2008",
            title="LETOR 4.0 MQ2008 (supervised, QueryLevelNorm)",
            folder="mq2008",
            folds=rotation(LETOR_PARTS),
            alternative=fold_dirs(),
            n_features=46,
            queries=784,
            docs=15211,
            labels=(12279, 2001, 931),
            max_label=2,
            sha256=MQ2008_SHA256,
            source="Qin & Liu, arXiv:1306.2597; ../shared/data/mq2008/PROVENANCE.md",
        ),
        Facts(
            name="ohsumed",
            title="LETOR 3.0 OHSUMED (QueryLevelNorm)",
            folder="ohsumed",
            folds=rotation(LETOR_PARTS),
            alternative=fold_dirs(),
            n_features=45,
            queries=106,
            docs=16140,
            labels=(11303, 2585, 2252),
            max_label=2,
            sha256=OHSUMED_SHA256,
            source="Qin et al., Inf. Retr. 13(4), 2010; ../shared/data/ohsumed/PROVENANCE.md",
        ),
        Facts(
            name="yahoo-sample",
            title="LightGBM lambdarank example data (a sample of Yahoo! LTR C14)",
            folder="lightgbm_lambdarank",
            folds=(Fold(("rank.train",), (), ("rank.test",)),),
            query_files=True,
            n_features=300,
            queries=251,
            docs=3773,
            labels=(851, 1467, 1110, 266, 79),
            sha256=LIGHTGBM_SHA256,
            source="microsoft/LightGBM examples/lambdarank; "
            "../shared/data/lightgbm_lambdarank/PROVENANCE.md",
        ),
        Facts("mslr-web10k", "MSLR-WEB10K", "MSLR-WEB10K", fold_dirs(), 136, 10000, source=MSLR),
        Facts("mslr-web30k", "MSLR-WEB30K", "MSLR-WEB30K", fold_dirs(), 136, source=MSLR),
        Facts(
            name="yahoo-set1",
            title="Yahoo! LTR Challenge C14, set 1",
            folder="yahoo",
            folds=(Fold(("set1.train.txt",), ("set1.valid.txt",), ("set1.test.txt",)),),
            n_features=700,
            queries=29921,
            docs=709877,
            source=YAHOO,
        ),
        Facts(
            name="yahoo-set2",
            title="Yahoo! LTR Challenge C14, set 2",
            folder="yahoo",
            folds=(Fold(("set2.train.txt",), ("set2.valid.txt",), ("set2.test.txt",)),),
            n_features=700,
            queries=6330,
            docs=172870,
            source=YAHOO,
        ),
        Facts(
            name="istella",
            title="Istella LETOR (full)",
            folder="istella",
            folds=(Fold(("train.txt",), (), ("test.txt",)),),
            n_features=220,
            docs=10454629,
            source="TFDS catalog, istella/main",
        ),
        Facts(
            name="istella-s",
            title="Istella-S LETOR",
            folder="istella-s",
            folds=(Fold(("train.txt",), ("vali.txt",), ("test.txt",)),),
            n_features=220,
            docs=3408630,
            source="TFDS catalog, istella/s",
        ),
    )
}
