"""Fine-grained captions in the style of the paper's Figure 1: starting pose, every movement of every body part in
order (with counts, sides, directions and objects), and the final pose."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .descriptions import frame_states
from .language import capitalize, ordinal_connector
from .objects import OBJECT_STYLES
from .questions import hold_frames
from .skeleton import DOF_INDEX, SIDES
from .states import FACING_PHRASES, HAND_HEIGHT_PHRASES, POSTURE_PHRASES


if TYPE_CHECKING:
    from .clip import ActionEvent, Clip

_DETAILS = {
    "pick_up": "bending down to grab it from the floor",
    "put_down": "bending down to place it on the floor",
    "throw": "swinging the arm over the shoulder and releasing it",
    "hold_up": "and then brings it back down",
    "wave": "with the forearm swinging from side to side",
    "punch": "extending the arm straight out each time",
    "jump": "landing in place",
    "walk": "and then turns back",
    "lie_down": "ending up on the floor",
}


def _pose_clause(clip: Clip, frame: int) -> str:
    s = frame_states(clip, frame)
    posture = POSTURE_PHRASES.get(s["posture"] or "", "in motion")
    parts = [posture]
    if s["facing"]:
        parts.append(FACING_PHRASES[s["facing"]])
    hands = [f"the {side} hand {HAND_HEIGHT_PHRASES[s[f'{side}_hand']]}" for side in SIDES if s[f"{side}_hand"]]
    text = ", ".join(parts)
    if hands:
        text += ", with " + " and ".join(hands)
    held = [f"the {s[f'{side}_held']} in the {side} hand" for side in SIDES if s[f"{side}_held"]]
    if held:
        text += ", holding " + " and ".join(held)
    return text


def _event_sentence(clip: Clip, event: ActionEvent, index: int, total: int) -> str:
    text = f"{ordinal_connector(index, total)} the person {event.label}"
    detail = _DETAILS.get(event.name)
    if event.name == "walk":
        heading = clip.poses[:, DOF_INDEX["heading"]]
        middle = (event.start_frame + event.end_frame) // 2
        turned = abs(float(heading[middle] - heading[event.start_frame])) > 10
        if turned:
            text = f"{ordinal_connector(index, total)} the person turns and {event.label}"
        else:
            detail = None
    if detail:
        text += f", {detail}" if not detail.startswith("and") else f" {detail}"
    return f"{text} ({event.start_s:.1f}-{event.end_s:.1f} s)."


def caption_clip(clip: Clip) -> str:
    """The clip's fine-grained caption, built from its events and the poses read from the joints.

    Args:
        clip (`Clip`): a generated clip.

    Returns:
        `str`: several sentences, e.g. "A person is standing, facing the camera, with the left hand below the hips
        and the right hand below the hips. There is an orange ball on the floor. First, the person picks up the ball
        with the right hand, bending down to grab it from the floor (0.6-2.1 s). ..."
    """
    sentences = [f"A person is {_pose_clause(clip, 0)}."]
    if clip.objects:
        things = [
            f"{'an' if OBJECT_STYLES[k].color_name[0] in 'aeiou' else 'a'} {OBJECT_STYLES[k].color_name} {k}"
            for k in clip.objects
            if not clip.object_holder(k, 0)
        ]
        if things:
            sentences.append(f"There is {' and '.join(things)} on the floor.")
    for index, event in enumerate(clip.events):
        sentences.append(_event_sentence(clip, event, index, len(clip.events)))
    last = clip.num_frames - max(1, hold_frames(clip.fps) // 2)
    sentences.append(capitalize(f"at the end of the video, the person is {_pose_clause(clip, last)}."))
    return " ".join(sentences)


__all__ = ["caption_clip"]
