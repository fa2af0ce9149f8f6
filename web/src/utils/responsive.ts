// Phone or desktop: one breakpoint (768 px) shared by layouts and pages.
import { onBeforeUnmount, ref, type Ref } from 'vue'

export const PHONE_QUERY = '(max-width: 767px)'

export function useIsPhone(): Ref<boolean> {
  const mq = window.matchMedia(PHONE_QUERY)
  const phone = ref(mq.matches)
  const on = (e: MediaQueryListEvent) => (phone.value = e.matches)
  mq.addEventListener('change', on)
  onBeforeUnmount(() => mq.removeEventListener('change', on))
  return phone
}
