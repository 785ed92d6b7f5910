// A compare lesson's stage: its two runs side by side on one clock.
import { LessonError } from '../../lessons/engine.ts';
import type { Lesson } from '../../lessons/lesson.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { AppServices } from '../context.tsx';

export async function openCompareLesson(
  _svc: AppServices,
  lesson: Lesson,
  _files: Map<string, Scenario>,
): Promise<void> {
  throw new LessonError(`${lesson.id}: compare lessons open in the compare view`);
}
